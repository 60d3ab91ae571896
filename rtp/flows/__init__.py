"""Call flows as explicit state machines: each state handles one event and returns the
next state with the actions the media app performs. No network, no clock, no database."""
