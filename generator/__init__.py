"""vr-quarantine: turn reviewed quarantine profiles into Velociraptor IPsec quarantine artifacts."""

__version__ = "0.1.0"
