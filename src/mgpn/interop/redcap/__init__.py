"""REDCap exchange: a data dictionary generated from the case format, and record import.

``dictionary`` writes the REDCap data dictionary (``mgpn redcap dictionary``); ``records``
reads an exported records CSV back into case files and, for cohort studies, a
``mgpn-cohort/1`` table (``mgpn redcap import``); ``cohort`` holds the study form shared
by both.
"""
