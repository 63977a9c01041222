"""Population screening: find the patients whose work-up has a gap, across a whole EHR export.

Pipeline, and which module does what:

- :mod:`mgpn.screening.export`   find the NDJSON files of a FHIR Bulk Data export
- :mod:`mgpn.screening.lines`    stream their lines with file and line number (Arrow batches)
- :mod:`mgpn.screening.duckdb_engine` / :mod:`mgpn.screening.spark_engine`
                                 the SQL pre-filter and grouping by patient, on one machine or Spark
- :mod:`mgpn.screening.patient`  one patient's resources -> case -> assessment -> care gaps
- :mod:`mgpn.screening.gaps`     the care-gap rules (knowledge base) applied to one case
- :mod:`mgpn.screening.output`   Parquet/CSV tables, JSON summary, HTML report
- :mod:`mgpn.screening.synth`    a labelled-synthetic Bulk export with the planted answers

Heavy libraries (duckdb, pyspark, matplotlib) are imported inside the functions that need them.
"""
