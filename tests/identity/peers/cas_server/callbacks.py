"""mama-cas attribute callback: release the SUPANN attributes of :mod:`..people`."""

from tests.identity.peers.people import PEOPLE


def supann_attributes(user, service):
    """CAS 3 ``<cas:attributes>`` for ``user`` (lists become repeated elements)."""
    return dict(PEOPLE.get(user.get_username(), {}))
