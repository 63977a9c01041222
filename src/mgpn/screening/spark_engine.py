"""The same screening job on Spark (``mgpn screen --engine spark [--master URL]``).

The export is read where it lies (a local path or any Hadoop-compatible URL); every step
runs on the executors. Read 1 parses each line into a few small fields (no raw text is
kept or cached): the patient ids, the SQL pre-filter and the input checks. Read 2 keeps the
screened patients' lines, groups them by patient and hands each group to the Python engine
with ``applyInArrow`` (the same :func:`mgpn.screening.patient.screen_patient` the DuckDB
engine calls). The result rows and the input problems are written once, as Parquet, by
Spark; only counts come back to the driver, which then derives the final tables (Parquet
and CSV, one file each) and the report from that written Parquet.

The output folder is therefore a local folder of the driver; on a cluster it must be one
the executors share (a network mount), since they write the Parquet there.

Line numbers: Spark reads text without them, so each file is read on its own and a line's
number is its row within its partition plus the rows of the partitions before it (a small
per-partition count, computed on the executors).

Memory: local mode runs the executors inside the driver's JVM, so ``spark.driver.memory``
(default :data:`LOCAL_DRIVER_MEMORY`, ``--spark-conf spark.driver.memory=8g`` to change)
bounds the whole job; the group of one patient is the largest thing held at once.
"""

from __future__ import annotations

import datetime as dt
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
#: The driver's heap in local mode (executors run inside it). Spark's own default, 1 GB,
#: is too small for an export of 100,000 patients.
LOCAL_DRIVER_MEMORY = "3g"
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


def parse_conf(items: list[str]) -> dict[str, str]:
    """``KEY=VALUE`` settings (``--spark-conf``) as a dict; a malformed one is refused."""
    conf: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip().startswith("spark.") or not value.strip():
            raise ScreeningError(
                "--spark-conf",
                [
                    Issue(
                        item,
                        "not a Spark setting",
                        fix="write KEY=VALUE, e.g. spark.driver.memory=8g",
                    )
                ],
            )
        conf[key.strip()] = value.strip()
    return conf


def session(master: str, conf: dict[str, str] | None = None) -> Any:
    """A Spark session for ``master`` (``local[2]`` in CI, or a cluster's URL)."""
    reason = java_available()
    if reason:
        raise ScreeningError(
            "--engine spark", [Issue("java", reason, fix="install Java 17 or use --engine duckdb")]
        )
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("mgpn-screen")
    local = master.startswith("local")
    settings = dict(SPARK_CONFIG)
    if local:
        settings["spark.driver.memory"] = LOCAL_DRIVER_MEMORY
    for key, value in settings.items():
        if local or "driver" not in key:
            builder = builder.config(key, value)
    for key, value in (conf or {}).items():  # the user's settings win
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


_FIELDS = (
    "resourceType STRING, id STRING, subject STRUCT<reference: STRING>, "
    "patient STRUCT<reference: STRING>, code STRUCT<coding: ARRAY<STRUCT<system: STRING, code: STRING>>>"
)


def _facts(lines: Any) -> Any:
    """Each line's small fields; the raw text only as far as the caller keeps it."""
    from pyspark.sql import functions as F

    return (
        lines.select("*", F.from_json("raw", _FIELDS).alias("j"))
        .select(
            "*",
            F.col("j.resourceType").alias("rtype"),
            F.col("j.id").alias("rid"),
            F.coalesce("j.subject.reference", "j.patient.reference").alias("ref"),
            F.expr("try_parse_json(raw) IS NOT NULL").alias("ok"),
        )
        .drop("j")
    )


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
        rows = [{"table": "gaps", **row} for row in result.gaps]
        rows.append({"table": "patients", **result.patient})
        rows.extend({"table": "issues", **row} for row in result.issues)
        return pa.Table.from_pylist(rows, schema=_wide_schema())

    return apply


def _wide_schema() -> Any:
    """One schema for the rows of all three tables (``table`` says which): one write."""
    import pyarrow as pa

    from mgpn.screening.tables import schemas

    fields: dict[str, Any] = {"table": pa.string()}
    for schema in schemas().values():
        for item in schema:
            fields.setdefault(item.name, item.type)
    return pa.schema(list(fields.items()))


def _ddl(schema: Any) -> str:
    names = {"string": "STRING", "bool": "BOOLEAN", "int64": "BIGINT"}
    return ", ".join(f"`{f.name}` {names[str(f.type)]}" for f in schema)


def _derive_tables(staged: Path, out: Path) -> None:
    """The final Parquet and CSV tables, from the Parquet Spark wrote (read in batches)."""
    import pyarrow.dataset as ds

    from mgpn.screening.tables import TableWriter

    writer = TableWriter(out)
    try:
        for name in _OUTPUT_TABLES:
            folder = staged / f"table={name}"
            if not folder.is_dir():
                continue  # no row of this table (Spark writes no empty partition)
            columns = writer.schema(name).names
            dataset = ds.dataset(str(folder), format="parquet")
            for batch in dataset.to_batches(columns=columns):
                writer.write_arrow(name, batch)
    finally:
        writer.close()


def run(
    export_uri: str,
    out: Path,
    *,
    master: str = "local[2]",
    as_of: dt.date | None = None,
    progress: Any = None,
    conf: dict[str, str] | None = None,
) -> SparkCounts:
    from pyspark import StorageLevel
    from pyspark.sql import functions as F

    spark = session(master, conf)
    files = list_export(spark, export_uri)
    conditions, observations = population_codes()

    def lines() -> Any:
        frames = [_numbered_lines(spark, kind, name, uri) for kind, name, uri in files]
        union = frames[0]
        for frame in frames[1:]:
            union = union.unionByName(frame)
        return union

    # Read 1: small fields only, kept on disk (no raw text, nothing on the heap).
    coded = F.from_json("raw", "code STRUCT<coding: ARRAY<STRUCT<system: STRING, code: STRING>>>")
    codes = F.transform(
        F.coalesce(coded.getField("code").getField("coding"), F.array()),
        lambda c: F.concat(F.coalesce(c.getField("system"), F.lit("")), F.lit("|"),
                           F.coalesce(c.getField("code"), F.lit(""))),
    )  # fmt: skip
    wanted = F.when(F.col("expected") == "Condition", F.lit(conditions)).otherwise(
        F.lit(observations)
    )
    parsed = (
        _facts(lines())
        .select(
            "file", "expected", "line", "rtype", "rid", "ref", "ok",
            F.when(~F.col("ok"), F.substring("raw", 1, 80)).alias("head"),
            (F.col("expected").isin("Condition", "Observation") & F.arrays_overlap(codes, wanted)).alias("hit"),
        )
        .persist(StorageLevel.DISK_ONLY)
    )  # fmt: skip
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
    candidates = linked.where("hit").select("patient").distinct()
    screened = candidates.join(patients, "patient", "left_semi").persist(StorageLevel.DISK_ONLY)
    issues = (
        parsed.where("NOT ok").select(
            "file", "line", F.lit(None).cast("string").alias("patient"),
            F.lit("malformed line").alias("kind"),
            F.concat(F.lit("not valid JSON; the line was skipped: "), F.col("head")).alias("message"),
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
    counts = SparkCounts(patients=patients.count(), screened=screened.count())
    # Read 2: the screened patients' lines, grouped, evaluated where they lie.
    keyed = (
        _facts(lines())
        .where("ok AND rtype = expected")
        .withColumn(
            "patient",
            F.when(F.col("expected") == "Patient", F.col("rid")).otherwise(
                F.expr("substr(ref, 9)")
            ),
        )
        .join(F.broadcast(screened), "patient", "left_semi")
    )
    wide = _wide_schema()
    results = (
        keyed.select("patient", "file", "line", "raw")
        .groupBy("patient")
        .applyInArrow(_screen_groups(as_of.isoformat() if as_of else None), _ddl(wide))
    )
    problems = issues.select(
        F.lit("issues").alias("table"),
        *[
            F.col(name)
            if name in issues.columns
            else F.lit(None).cast(_spark_type(kind)).alias(name)
            for name, kind in zip(wide.names[1:], wide.types[1:], strict=True)
        ],
    )
    staged = out / "_spark"
    results.unionByName(problems).write.mode("overwrite").partitionBy("table").parquet(str(staged))
    screened.unpersist()
    parsed.unpersist()
    _derive_tables(staged, out)
    shutil.rmtree(staged, ignore_errors=True)
    counts.with_gap = _patients_with_a_gap(out)
    return counts


def _patients_with_a_gap(out: Path) -> int:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    path = out / "gaps.parquet"
    if not path.exists():
        return 0
    return len(pc.unique(pq.read_table(str(path), columns=["patient"])["patient"]))


def _spark_type(arrow_type: Any) -> str:
    return {"string": "string", "bool": "boolean", "int64": "bigint"}[str(arrow_type)]
