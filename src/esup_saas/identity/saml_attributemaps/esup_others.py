"""pysaml2's other attribute maps (basic, Shibboleth URI, ADFS), unchanged.

Setting ``attribute_map_dir`` replaces pysaml2's default maps, so they are re-exported here
(``ac_factory`` reads every ``*_MAP``/``MAP`` dict of the modules in the folder).
"""

from saml2.attributemaps.adfs_v1x import MAP as ADFS_V1X_MAP
from saml2.attributemaps.adfs_v20 import MAP as ADFS_V20_MAP
from saml2.attributemaps.basic import MAP as BASIC_MAP
from saml2.attributemaps.shibboleth_uri import MAP as SHIBBOLETH_URI_MAP

__all__ = ["ADFS_V1X_MAP", "ADFS_V20_MAP", "BASIC_MAP", "SHIBBOLETH_URI_MAP"]
