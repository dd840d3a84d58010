"""The 903 codes the register holds, and how they map to the register's own.

PLACE (the placement type of a 903 episode) is mapped to the register's four kinds of
placement (children.models.Placement). The codes are those of the DfE's children looked
after return specification as the open csc-validator-be-903 checks them (it reads H5 and,
since supported accommodation became regulated, K3 as supported accommodation:
lac_validator/ingress.py):

- foster care: U1-U6 (with a relative or friend, or other foster carer);
- residential: K1 secure children's home, K2 children's home, R1 residential care home,
  R2 NHS or health trust, R3 family centre or mother and baby unit, S1 residential school;
- supported accommodation: H5 (semi-independent living, before 2023), K3 (supported
  accommodation), P2 independent living;
- other: A3-A6 placed for adoption, P1 with parents, P3 residential employment,
  R5 young offender institution or prison, T0-T4 temporary placements, Z1 other.

The register keeps the kind, not the code: an export writes a code standing for the kind
(EXPORT_PLACE), which is not necessarily the code that was imported.
"""

from __future__ import annotations

from harbour.children.models import Placement, Sex
from harbour.missing.models import Category

PLACE_TO_PLACEMENT: dict[str, str] = {
    **{f"U{n}": Placement.FOSTER for n in range(1, 7)},
    **dict.fromkeys(("K1", "K2", "R1", "R2", "R3", "S1"), Placement.RESIDENTIAL),
    **dict.fromkeys(("H5", "K3", "P2"), Placement.SUPPORTED),
    **dict.fromkeys(
        ("A3", "A4", "A5", "A6", "P1", "P3", "R5", "T0", "T1", "T2", "T3", "T4", "Z1"),
        Placement.OTHER,
    ),
}

# The code an export writes for each kind of placement: one code of the kind.
EXPORT_PLACE: dict[str, str] = {
    Placement.FOSTER: "U3",
    Placement.RESIDENTIAL: "K2",
    Placement.SUPPORTED: "K3",
    Placement.OTHER: "Z1",
}

# 903 SEX: 1 male, 2 female. The register's U (unknown) has no 903 code.
SEX_TO_REGISTER: dict[str, str] = {"1": Sex.MALE, "2": Sex.FEMALE}
SEX_TO_903: dict[str, str] = {Sex.MALE: "1", Sex.FEMALE: "2"}

# 903 MISSING: M missing, A away from placement without authorisation (the register's
# absent).
MISSING_TO_CATEGORY: dict[str, str] = {"M": Category.MISSING, "A": Category.ABSENT}
CATEGORY_TO_903: dict[str, str] = {code: value for value, code in MISSING_TO_CATEGORY.items()}
