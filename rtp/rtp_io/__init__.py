"""RTP (RFC 3550) for the media app: packets, RFC 4733 events, one 20 ms clock for every call."""
from rtp.rtp_io.clock import Clock
from rtp.rtp_io.packet import DtmfEvent, DtmfReceiver, RtpPacket, build, dtmf_packets, parse
from rtp.rtp_io.session import RtpSession

__all__ = ["Clock", "DtmfEvent", "DtmfReceiver", "RtpPacket", "RtpSession", "build", "dtmf_packets", "parse"]
