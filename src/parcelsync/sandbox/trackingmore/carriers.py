"""The sandbox's own TrackingMore carrier list (carriers.json), with detection by number pattern."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class SandboxCarrier:
    code: str
    name: str
    type: str
    country_code: str
    homepage: str
    phone: str
    patterns: tuple[re.Pattern[str], ...]

    def matches(self, number: str) -> bool:
        return any(p.match(number) for p in self.patterns)

    def to_api(self) -> dict[str, Any]:
        return {
            "name": self.name, "code": self.code, "phone": self.phone, "homepage": self.homepage,
            "type": self.type, "country_code": self.country_code,
            "picture": f"//s.trackingmore.com/images/icons/express/{self.code}.png",
        }


class CarrierBook:
    """Carriers by code, in file order; `detect` returns every carrier whose pattern matches."""

    def __init__(self, carriers: tuple[SandboxCarrier, ...]) -> None:
        self.carriers = carriers
        self._by_code = {c.code: c for c in carriers}

    def get(self, code: str | None) -> SandboxCarrier | None:
        return self._by_code.get((code or "").strip().lower())

    def detect(self, number: str) -> list[SandboxCarrier]:
        cleaned = re.sub(r"[\s-]", "", number).upper()
        return [c for c in self.carriers if c.matches(cleaned)]


@cache
def load_carriers() -> CarrierBook:
    raw = json.loads(resources.files(__package__).joinpath("carriers.json").read_text(encoding="utf-8"))
    return CarrierBook(
        tuple(
            SandboxCarrier(
                code=c["code"], name=c["name"], type=c["type"], country_code=c["country_code"],
                homepage=c.get("homepage", ""), phone=c.get("phone", ""),
                patterns=tuple(re.compile(p) for p in c.get("patterns", ())),
            )
            for c in raw["carriers"]
        )
    )
