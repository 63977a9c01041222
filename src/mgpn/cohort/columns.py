"""Names fixed by the cohort contract, ``mgpn-cohort/1`` (shared/spec/cohort-format.md).

Kept in one place so the loader, the statistics and the reports cannot drift apart.
"""

from __future__ import annotations

from typing import Final

COHORT_FORMAT: Final = "mgpn-cohort/1"
ANALYSIS_FORMAT: Final = "mgpn-cohort-analysis/1"

# Columns with a fixed meaning; every other numeric column is a candidate marker.
ID: Final = "id"
GROUP: Final = "group"
ANTI_MAG: Final = "anti_mag"
AGE: Final = "age"
SEX: Final = "sex"
ODSS: Final = "odss"
ODSS_FOLLOWUP: Final = "odss_followup"
RITUXIMAB_RESPONSE: Final = "rituximab_response"
# mgpn's own addition: marks rows made by ``mgpn cohort simulate`` so a synthetic
# cohort can never be mistaken for study data, whatever the file is renamed to.
SYNTHETIC: Final = "synthetic"

KNOWN_COLUMNS: Final = (
    ID,
    GROUP,
    ANTI_MAG,
    AGE,
    SEX,
    ODSS,
    ODSS_FOLLOWUP,
    RITUXIMAB_RESPONSE,
    SYNTHETIC,
)
BOOLEAN_COLUMNS: Final = (ANTI_MAG, RITUXIMAB_RESPONSE, SYNTHETIC)
NUMERIC_COLUMNS: Final = (AGE, ODSS, ODSS_FOLLOWUP)

# Groups named by the contract. Other spellings are allowed as groups of their own,
# unless they look like a misspelling of one of these.
IGM_PNP: Final = "igm_pnp"
MMN: Final = "mmn"
CONTROL: Final = "control"
NAMED_GROUPS: Final = (IGM_PNP, MMN, CONTROL)
# The subgroup of igm_pnp with anti_mag true; never a value of the group column.
ANTI_MAG_SUBGROUP: Final = "anti_mag"

# Kruskal-Wallis (and Dunn's post-hoc test) run over these groups.
KRUSKAL_GROUPS: Final = (IGM_PNP, MMN, CONTROL)
# Mann-Whitney pairs. anti_mag is compared with control and mmn only: it is a
# subset of igm_pnp, so igm_pnp vs anti_mag would compare overlapping samples.
PAIRS: Final = (
    (IGM_PNP, MMN),
    (IGM_PNP, CONTROL),
    (MMN, CONTROL),
    (ANTI_MAG_SUBGROUP, CONTROL),
    (ANTI_MAG_SUBGROUP, MMN),
)

SEX_VALUES: Final = ("female", "male", "other")
TRUE_SPELLINGS: Final = ("true", "1", "yes")
FALSE_SPELLINGS: Final = ("false", "0", "no")
# Plausible ranges stated by the contract (ODSS 0-10) and by the case format
# (age 0-120 years); values outside are unit or typing mistakes.
RANGES: Final = {AGE: (0.0, 120.0), ODSS: (0.0, 10.0), ODSS_FOLLOWUP: (0.0, 10.0)}

# How many bad rows an error message lists before "and N more".
ROWS_SHOWN: Final = 5
