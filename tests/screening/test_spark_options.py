"""Spark settings from the command line, and the output folder rule (no Java needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mgpn.errors import ScreeningError
from mgpn.screening.run import screen
from mgpn.screening.spark_engine import parse_conf


def test_spark_settings_are_read_as_key_value_pairs() -> None:
    conf = parse_conf(["spark.driver.memory=8g", "spark.sql.shuffle.partitions = 64"])
    assert conf == {"spark.driver.memory": "8g", "spark.sql.shuffle.partitions": "64"}


@pytest.mark.parametrize("item", ["spark.driver.memory", "driver.memory=8g", "spark.x="])
def test_a_malformed_spark_setting_is_refused_with_the_fix(item: str) -> None:
    with pytest.raises(ScreeningError, match="KEY=VALUE"):
        parse_conf([item])


def test_the_output_must_be_a_local_folder(tmp_path: Path) -> None:
    with pytest.raises(ScreeningError, match="local folder"):
        screen(tmp_path, "hdfs://namenode/out", engine="spark")
