"""CDS Hooks 2.0 service: the EHR calls it when a chart opens or an order is written.

``router.py`` is the FastAPI router (``/cds-services``), mounted by ``mgpn serve`` and run
alone by ``mgpn cds-hooks``. Every call is authenticated with the EHR's signed JWT
(``security.py``); the patient's data comes from prefetch or from the EHR's FHIR server
(``prefetch.py``), is read into a case by :mod:`mgpn.interop.fhir`, evaluated by the
engine, and turned into cards (``cards.py``) and order cautions (``cautions.py``).
"""
