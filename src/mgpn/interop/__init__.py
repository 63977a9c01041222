"""Ways cases come in and go out besides a case file: FHIR R4 (:mod:`mgpn.interop.fhir`)."""
