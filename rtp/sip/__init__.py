"""The media app's own small SIP user agent (RFC 3261 over UDP and TCP, SDP offer/answer).

Built for one trusted peer, Kamailio: ``message`` (parser), ``transport`` (UDP/TCP),
``stack`` (transactions and dialogs), ``sdp`` (PCMU, PCMA, telephone-event).
"""
