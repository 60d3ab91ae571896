"""The virtual receptionist (H1, D13, A6): its rules (``rules``), table (``models``) and service."""
