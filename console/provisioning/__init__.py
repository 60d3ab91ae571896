"""B1: desk phones fetch their files here (``app``), over HTTPS (``serve``, ``tls``)."""
