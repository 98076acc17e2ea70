"""The live page's WebRTC connection: the ICE servers browser and server use to find each
other, the microphone the browser is asked for, and (tests only) letting the server offer
127.0.0.1 as an ICE candidate. core/trigger/stream.py does the listening; this only connects.
"""
from __future__ import annotations

import json
import os

import streamlit as st

ICE_SERVERS_ENV = "TRIGGER_LIVE_ICE_SERVERS"  # JSON list of RTCIceServer dicts, for use across a network
LOOPBACK_ENV = "TRIGGER_LIVE_LOOPBACK_ICE"  # "1": offer 127.0.0.1 as an ICE candidate (tests only)
# The model learned from unprocessed audio: the browser's noise suppression and automatic gain
# (on by default) pump the background up and down and cost it confidence, so they are turned off.
MICROPHONE = {"echoCancellation": False, "noiseSuppression": False, "autoGainControl": False}


def rtc_configuration() -> dict:
    """streamlit-webrtc's rtc_configuration: no ICE server unless one is configured, so by
    default no request leaves this machine. ValueError (plain words) for a wrong setting."""
    return {"iceServers": configured_ice_servers()}


def configured_ice_servers() -> list:
    """[webrtc] ice_servers in .streamlit/secrets.toml, else TRIGGER_LIVE_ICE_SERVERS, else none."""
    secret = None
    if st.secrets.load_if_toml_exists():
        secret = st.secrets.get("webrtc", {}).get("ice_servers")
    return ice_servers(secret)


def ice_servers(value=None, environ=None) -> list:
    """ICE servers for the page: `value` (e.g. from Streamlit secrets), else the JSON list in
    TRIGGER_LIVE_ICE_SERVERS, else none: browser and server on one machine or one LAN need
    no STUN/TURN, and an empty list keeps streamlit-webrtc from adding a public STUN server.

    Each server is a dict like {"urls": ["turn:turn.example.org:3478"], "username": …, "credential": …}.
    """
    environ = os.environ if environ is None else environ
    if value is None and environ.get(ICE_SERVERS_ENV, "").strip():
        try:
            value = json.loads(environ[ICE_SERVERS_ENV])
        except ValueError as err:
            raise ValueError(f"{ICE_SERVERS_ENV} is not valid JSON: {err}") from None
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    servers = []
    for server in value:
        server = dict(server)
        urls = server.get("urls")
        if isinstance(urls, str):
            urls = [urls]
        if not urls or not all(isinstance(u, str) and u.split(":", 1)[0] in ("stun", "stuns", "turn", "turns")
                               for u in urls):
            raise ValueError(f"an ICE server needs 'urls' starting with stun: or turn:, got {server.get('urls')!r}")
        servers.append({**server, "urls": urls})
    return servers


def allow_loopback_ice(environ=None) -> bool:
    """If TRIGGER_LIVE_LOOPBACK_ICE=1, let aioice (the server's ICE) offer 127.0.0.1 too.

    aioice leaves loopback out of its host candidates, so a browser and server on one
    machine with no other network cannot connect. The end-to-end test sets this; what
    people run does not. Returns True when the patch is in place.
    """
    environ = os.environ if environ is None else environ
    if environ.get(LOOPBACK_ENV) != "1":
        return False
    import aioice.ice

    original = aioice.ice.get_host_addresses
    if getattr(original, "_with_loopback", False):
        return True

    def with_loopback(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        addresses = list(original(use_ipv4, use_ipv6))
        if use_ipv4 and "127.0.0.1" not in addresses:
            addresses.append("127.0.0.1")
        return addresses

    with_loopback._with_loopback = True
    aioice.ice.get_host_addresses = with_loopback
    return True
