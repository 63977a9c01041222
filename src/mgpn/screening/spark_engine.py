"""The same screening job on Spark (``mgpn screen --engine spark [--master URL]``).

The export is read where it lies (a local path or any Hadoop-compatible URL); every step
runs on the executors: the SQL pre-filter and input checks in Spark SQL, then each
screened patient's lines grouped and handed to the Python engine with ``applyInArrow``
(the same :func:`mgpn.screening.patient.screen_patient` the DuckDB engine calls). The
tables are written by Spark itself; only counts come back to the driver.

Line numbers: Spark reads text without them, so each file is read on its own and a line's
number is its row within its partition plus the rows of the partitions before it (a small
per-partition count, computed on the executors).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import site
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mgpn.errors import Issue, ScreeningError
from mgpn.screening.duckdb_engine import population_codes
from mgpn.screening.export import _NAME, RESOURCE_TYPES

SPARK_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
}
_OUTPUT_TABLES = ("gaps", "patients", "issues")


@dataclass
class SparkCounts:
    patients: int = 0
    screened: int = 0
    with_gap: int = 0


def java_available() -> str | None:
    """None when Spark can start here, else why not (for a clean skip or error)."""
    if shutil.which("java") is None:
        return (
            "Java is not installed: the Spark engine needs a Java 17 runtime "
            "(Debian: openjdk-17-jre-headless; scripts/ci-services.sh installs it)"
        )
    return None


def session(master: str) -> Any:
    """A Spark session for ``master`` (``local[2]`` in CI, or a cluster's URL)."""
    reason = java_available()
    if reason:
        raise ScreeningError(
            "--engine spark", [Issue("java", reason, fix="install Java 17 or use --engine duckdb")]
        )
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("mgpn-screen")
    local = master.startswith("local")
    for key, value in SPARK_CONFIG.items():
        if local or "driver" not in key:
            builder = builder.config(key, value)
    if local:
        # Local executors run this interpreter, but Spark starts it by its resolved path, which
        # loses a virtual environment: hand the workers this process's packages (and mgpn).
        # A cluster's executors need mgpn installed in their own Python.
        builder = builder.config("spark.pyspark.python", sys.executable)
        import mgpn

        paths = [str(Path(mgpn.__file__).resolve().parents[1]), *site.getsitepackages()]
        known = os.environ.get("PYTHONPATH")
        os.environ["PYTHONPATH"] = os.pathsep.join([*paths, *([known] if known else [])])
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def list_export(spark: Any, uri: str) -> list[tuple[str, str, str]]:
    """(resource type, file name, full URI) of the export's NDJSON files, Patient first."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(uri)
    fs = path.getFileSystem(conf)
    if not fs.exists(path):
        raise ScreeningError(
            uri, [Issue("EXPORT_DIR", "no such export folder", fix="check the path or URL")]
        )
    found: list[tuple[str, str, str]] = []
    for status in fs.listStatus(path):
        name = status.getPath().getName()
        match = _NAME.match(name)
        if status.isFile() and match and match.group("type") in RESOURCE_TYPES:
            found.append((match.group("type"), name, status.getPath().toString()))
    if not any(kind == "Patient" for kind, _, _ in found):
        raise ScreeningError(
            uri,
            [Issue("Patient.ndjson", "no Patient file", fix="export the Patient resources too")],
        )
    order = {name: index for index, name in enumerate(RESOURCE_TYPES)}
    return sorted(found, key=lambda item: (order[item[0]], item[1]))


def _numbered_lines(spark: Any, resource_type: str, name: str, uri: str) -> Any:
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    text = spark.read.text(uri).select(
        F.col("value").alias("raw"),
        F.spark_partition_id().alias("part"),
        F.monotonically_increasing_id().alias("mid"),
    )
    # Within a partition the id counts up from (partition << 33); lines before = sum of the
    # earlier partitions' sizes.
    sizes = text.groupBy("part").agg(F.count(F.lit(1)).alias("n"))
    offsets = sizes.select(
        "part",
        (F.sum("n").over(Window.orderBy("part")) - F.col("n")).alias("before"),
    )
    numbered = text.join(F.broadcast(offsets), "part").select(
        F.lit(name).alias("file"),
        F.lit(resource_type).alias("expected"),
        (F.col("before") + (F.col("mid") - F.shiftleft(F.col("part").cast("long"), 33)) + 1).alias(
            "line"
        ),
        "raw",
    )
    return numbered.where(F.length(F.trim("raw")) > 0)


def _parsed(lines: Any) -> Any:
    from pyspark.sql import functions as F

    codes = F.from_json(
        "raw", "code STRUCT<coding: ARRAY<STRUCT<system: STRING, code: STRING>>>"
    ).alias("j")
    return lines.select(
        "*",
        F.get_json_object("raw", "$.resourceType").alias("rtype"),
        F.get_json_object("raw", "$.id").alias("rid"),
        F.coalesce(
            F.get_json_object("raw", "$.subject.reference"),
            F.get_json_object("raw", "$.patient.reference"),
        ).alias("ref"),
        codes,
    ).select(
        "file", "expected", "line", "raw", "rtype", "rid", "ref",
        F.expr("transform(coalesce(j.code.coding, array()), c -> concat(coalesce(c.system, ''), '|', coalesce(c.code, '')))").alias("codes"),
        F.expr("try_parse_json(raw) IS NOT NULL").alias("ok"),
    )  # fmt: skip


def _screen_groups(as_of: str | None) -> Any:
    """The function applyInArrow calls with one patient's lines (runs on the executors)."""
    from mgpn.screening.patient import ScreenContext, SourcedLine, screen_patient

    date = dt.date.fromisoformat(as_of) if as_of else None

    def apply(table: Any) -> Any:
        import pyarrow as pa

        data = table.to_pydict()
        order = sorted(range(table.num_rows), key=lambda i: (data["file"][i], data["line"][i]))
        patient = f"Patient/{data['patient'][0]}"
        lines = [SourcedLine(data["file"][i], data["line"][i], data["raw"][i]) for i in order]
        result = screen_patient(patient, lines, ScreenContext(as_of=date))
        rows = [("gaps", json.dumps(row)) for row in result.gaps]
        rows.append(("patients", json.dumps(result.patient)))
        rows.extend(("issues", json.dumps(row)) for row in result.issues)
        return pa.table({"table": [r[0] for r in rows], "payload": [r[1] for r in rows]})

    return apply


def _ddl(name: str) -> str:
    from mgpn.screening.tables import schemas

    names = {"string": "STRING", "bool": "BOOLEAN", "int64": "BIGINT"}
    fields = schemas()[name]
    return ", ".join(f"`{f.name}` {names[str(f.type)]}" for f in fields)


def run(
    export_uri: str,
    out: Path,
    *,
    master: str = "local[2]",
    as_of: dt.date | None = None,
    progress: Any = None,
) -> SparkCounts:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    spark = session(master)
    files = list_export(spark, export_uri)
    conditions, observations = population_codes()
    frames = [_numbered_lines(spark, kind, name, uri) for kind, name, uri in files]
    lines = frames[0]
    for frame in frames[1:]:
        lines = lines.unionByName(frame)
    parsed = _parsed(lines).persist(StorageLevel.MEMORY_AND_DISK)
    valid = parsed.where("ok AND rtype = expected")
    patients = (
        valid.where("expected = 'Patient' AND rid IS NOT NULL")
        .select(F.col("rid").alias("patient"))
        .distinct()
    )
    others = valid.where("expected != 'Patient'")
    linked = others.where(F.col("ref").startswith("Patient/")).withColumn(
        "patient", F.expr("substr(ref, 9)")
    )
    wanted = F.when(F.col("expected") == "Condition", F.lit(conditions)).otherwise(
        F.lit(observations)
    )
    candidates = (
        linked.where(F.col("expected").isin("Condition", "Observation"))
        .where(F.arrays_overlap("codes", wanted))
        .select("patient")
        .distinct()
    )
    screened = candidates.join(patients, "patient", "left_semi")
    issues = (
        parsed.where("NOT ok").select(
            "file", "line", F.lit(None).cast("string").alias("patient"),
            F.lit("malformed line").alias("kind"),
            F.concat(F.lit("not valid JSON; the line was skipped: "), F.substring("raw", 1, 80)).alias("message"),
        ).unionByName(parsed.where("ok AND (rtype IS NULL OR rtype != expected)").select(
            "file", "line", F.lit(None).cast("string").alias("patient"),
            F.lit("wrong resource type").alias("kind"),
            F.concat(F.lit("a "), F.coalesce("rtype", F.lit("resource without resourceType")),
                     F.lit(" in a file of "), F.col("expected"), F.lit("; skipped")).alias("message"),
        )).unionByName(others.where(~F.coalesce(F.col("ref").startswith("Patient/"), F.lit(False))).select(
            "file", "line", F.col("ref").alias("patient"), F.lit("no patient").alias("kind"),
            F.lit("the resource names no patient (subject or patient reference); skipped").alias("message"),
        )).unionByName(linked.join(patients, "patient", "left_anti").select(
            "file", "line", F.col("ref").alias("patient"), F.lit("unknown patient").alias("kind"),
            F.concat(F.lit("the resource refers to "), F.col("ref"),
                     F.lit(", which is not in the Patient file; skipped")).alias("message"),
        ))
    )  # fmt: skip
    keyed = valid.withColumn(
        "patient",
        F.when(F.col("expected") == "Patient", F.col("rid")).otherwise(F.expr("substr(ref, 9)")),
    ).join(screened, "patient", "left_semi")
    results = (
        keyed.select("patient", "file", "line", "raw")
        .groupBy("patient")
        .applyInArrow(
            _screen_groups(as_of.isoformat() if as_of else None), "table STRING, payload STRING"
        )
        .persist(StorageLevel.MEMORY_AND_DISK)
    )
    for name in _OUTPUT_TABLES:
        frame = (
            results.where(F.col("table") == name)
            .select(F.from_json("payload", _ddl(name)).alias("r"))
            .select("r.*")
        )
        if name == "issues":
            frame = issues.select(*frame.columns).unionByName(frame)
        frame.write.mode("overwrite").parquet(str(out / f"{name}.parquet"))
        frame.write.mode("overwrite").option("header", "true").csv(str(out / f"{name}.csv"))
    counts = SparkCounts(
        patients=patients.count(),
        screened=screened.count(),
        with_gap=results.where(F.col("table") == "gaps")
        .select(F.get_json_object("payload", "$.patient"))
        .distinct()
        .count(),
    )
    results.unpersist()
    parsed.unpersist()
    return counts
