import pytest
from audit.services import audit_record, audit_verify

@pytest.mark.django_db
@pytest.mark.parametrize("kwargs", [
    {"details": {"x": 1e20}},
    {"details": {"x": -0.0}},
    {"details": {"x": 1.5e-9}},
    {"details": {"x": 12345678901234567890.0}},
    {"details": {"x": 0.1}},
    {"client_address": "2001:DB8::1"},
    {"client_address": "2001:0db8:0000::0001"},
    {"client_address": "::ffff:192.0.2.1"},
    {"client_address": "192.0.2.1"},
])
def test_probe(kwargs):
    audit_record(action="probe", **kwargs)
    assert audit_verify() is None
