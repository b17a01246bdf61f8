"""The evidence pack as a PDF (fpdf2), with the SHA-256 of its JSON printed on every page and the JSON attached.

A Unicode TrueType font is used when the system has one (checkpoint texts are often not Latin);
otherwise the built-in Helvetica with characters outside Latin-1 replaced. The JSON itself is
embedded as a file attachment, so the PDF alone carries the document its hash names.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from parcelsync.payments.evidence import EvidencePack

FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
     "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    ("/Library/Fonts/Arial Unicode.ttf", "/Library/Fonts/Arial Unicode.ttf"),
)


class _Pack(FPDF):
    def __init__(self, sha256: str) -> None:
        super().__init__(format="A4")
        self.sha256 = sha256
        self.family = "Helvetica"
        self.unicode = False
        for regular, bold in FONT_CANDIDATES:
            if Path(regular).is_file() and Path(bold).is_file():
                self.add_font("Evidence", "", regular)
                self.add_font("Evidence", "B", bold)
                self.family, self.unicode = "Evidence", True
                break
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(15, 15, 15)

    def text_of(self, value: Any) -> str:
        text = "—" if value is None or value == "" else str(value)
        if self.unicode:
            return text
        return text.replace("—", "-").encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(self.family, "", 7)
        self.cell(0, 5, self.text_of(f"JSON SHA-256 {self.sha256}   page {self.page_no()}"), align="C")

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(self.family, "B", 12)
        self.cell(0, 7, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.family, "", 9)

    def pair(self, label: str, value: Any) -> None:
        self.set_font(self.family, "B", 9)
        self.cell(45, 5, self.text_of(label))
        self.set_font(self.family, "", 9)
        self.multi_cell(0, 5, self.text_of(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def line_text(self, text: str, size: float = 8) -> None:
        self.set_font(self.family, "", size)
        self.multi_cell(0, 4.5, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _money(payment: dict[str, Any]) -> str:
    values = payment.get("order_value") or []
    return ", ".join(f"{v['amount']} {v['currency']}" for v in values) or "not given"


def render_pdf(pack: EvidencePack) -> bytes:
    """The pack as PDF bytes."""
    doc = pack.document
    pdf = _Pack(pack.sha256)
    pdf.set_title(f"Evidence pack {pack.subject}")
    pdf.set_creator("parcelsync")
    pdf.add_page()
    pdf.set_font(pdf.family, "B", 16)
    pdf.cell(0, 9, pdf.text_of("Shipping evidence"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    payment, merchant, buyer = doc["payment"], doc["merchant"], doc["buyer"]
    pdf.set_font(pdf.family, "", 9)
    pdf.pair("Merchant", f"{merchant['name']} ({merchant['id']})")
    pdf.pair("Payment intent(s)", ", ".join(payment["payment_intent_ids"]) or None)
    pdf.pair("Order(s)", ", ".join(payment["order_ids"]) or None)
    pdf.pair("Order value", _money(payment))
    email = buyer.get("email")
    pdf.pair("Buyer e-mail", ", ".join(email) if isinstance(email, list) else email)
    pdf.pair("Destination", buyer.get("destination_country"))
    pdf.pair("Generated at", doc["generated_at"])
    pdf.pair("JSON SHA-256", pack.sha256)
    for parcel in doc["parcels"]:
        pdf.heading(f"Parcel {parcel['carrier_name']} {parcel['tracking_number']}")
        pdf.pair("Carrier", f"{parcel['carrier_name']} ({parcel['carrier']})")
        pdf.pair("Tracking number", parcel["tracking_number"])
        pdf.pair("Tracking URL", parcel["tracking_url"])
        pdf.pair("Order / fulfillment", f"{parcel['order_id'] or '—'} / {parcel['fulfillment_id'] or '—'}")
        pdf.pair("Ship date", parcel["ship_date"])
        pdf.pair("Status", parcel["status"])
        pdf.pair("Delivered at", parcel["delivered_at"])
        delivery = parcel.get("delivery_checkpoint")
        if delivery:
            pdf.pair("Delivery location", delivery["location"])
            pdf.pair("Delivery scan", f"{delivery['time']}  {delivery['description']}")
        if parcel["checkpoints"]:
            pdf.set_font(pdf.family, "B", 9)
            pdf.cell(0, 6, pdf.text_of("Timeline"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            for cp in parcel["checkpoints"]:
                where = f" - {cp['location']}" if cp["location"] else ""
                pdf.line_text(f"{cp['time']}  [{cp['status'] or '-'}]{where}: {cp['description']}")
    pdf.heading("Sync receipts (when the tracking reached each gateway and store)")
    if not doc["receipts"]:
        pdf.line_text("No acknowledged upload recorded.", 9)
    for r in doc["receipts"]:
        sent = ", ".join(f"{p.get('carrier')} {p.get('tracking_number')}" for p in r["sent"]) or "nothing"
        request = f", request id {r['request_id']}" if r["request_id"] else ""
        pdf.line_text(
            f"{r['acknowledged_at']}  {r['provider']} ({r['kind']}) {r['target']} version {r['version']}{request}: "
            f"{sent}"
        )
    pdf.ln(3)
    pdf.line_text(
        "The attached evidence.json is the full record; its SHA-256 is printed above and at the foot of every page.", 8
    )
    pdf.embed_file(basename="evidence.json", bytes=pack.canonical_json,
                   desc="Evidence pack (JSON)")
    return bytes(pdf.output())
