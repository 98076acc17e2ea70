"""The live page's WebRTC settings: ICE servers from secrets or the environment, and the
loopback candidate the browser test needs."""
import pytest

from ui.webrtc import allow_loopback_ice, ice_servers


def test_ice_servers_default_to_none_and_read_secrets_or_the_environment():
    assert ice_servers(environ={}) == []
    env = {"TRIGGER_LIVE_ICE_SERVERS": '[{"urls": "turn:turn.example.org:3478", "username": "u", "credential": "c"}]'}
    assert ice_servers(environ=env) == [{"urls": ["turn:turn.example.org:3478"], "username": "u", "credential": "c"}]
    assert ice_servers([{"urls": ["stun:stun.example.org"]}], environ=env) == [{"urls": ["stun:stun.example.org"]}]
    with pytest.raises(ValueError):
        ice_servers(environ={"TRIGGER_LIVE_ICE_SERVERS": "not json"})
    with pytest.raises(ValueError):
        ice_servers([{"urls": "http://example.org"}], environ={})


def test_loopback_ice_is_only_offered_when_asked():
    import aioice.ice

    original = aioice.ice.get_host_addresses
    try:
        assert not allow_loopback_ice(environ={})
        assert aioice.ice.get_host_addresses is original
        assert allow_loopback_ice(environ={"TRIGGER_LIVE_LOOPBACK_ICE": "1"})
        assert "127.0.0.1" in aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False)
        assert allow_loopback_ice(environ={"TRIGGER_LIVE_LOOPBACK_ICE": "1"})  # idempotent
    finally:
        aioice.ice.get_host_addresses = original
