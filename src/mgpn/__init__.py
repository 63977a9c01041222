"""mgpn."""
