"""What the shop sells. Prices are Decimals in major units of each product's currency; the
product pictures are SVG drawn here, so the demo needs no image files or network."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape


@dataclass(frozen=True)
class Product:
    id: str
    name: str
    blurb: str
    price: Decimal
    currency: str
    colour: str
    shape: str  # which picture to draw
    kind: str = "purchase"  # purchase | subscription | made_to_order (authorised now, captured on shipping)

    @property
    def is_subscription(self) -> bool:
        return self.kind == "subscription"


PRODUCTS: dict[str, Product] = {p.id: p for p in [
    Product("jade-cup", "Jade tea cup", "Hand-thrown celadon cup, 120 ml.", Decimal("8.00"), "HKD",
            "#5f9e8f", "cup"),
    Product("celadon-teapot", "Celadon teapot", "Side-handle kyusu, 350 ml, fine mesh filter.",
            Decimal("268.00"), "HKD", "#7fb3a3", "teapot"),
    Product("commission-vase", "Commissioned vase", "Thrown to order in 3 weeks: authorised now, "
            "charged when it ships.", Decimal("880.00"), "HKD", "#3d6f8e", "vase", kind="made_to_order"),
    Product("matcha-whisk", "Matcha whisk", "100-prong bamboo chasen from Nara.", Decimal("1800"), "JPY",
            "#a3b86c", "whisk"),
    Product("gooseneck-kettle", "Gooseneck kettle", "0.9 l stainless kettle for pour-over.",
            Decimal("49.50"), "USD", "#4b5563", "kettle"),
    Product("barako-beans", "Barako coffee beans", "Liberica from Batangas, 250 g, roasted weekly.",
            Decimal("450.00"), "PHP", "#7c4a2d", "beans"),
    Product("phin-filter", "Phin filter", "Vietnamese drip filter, brushed steel, 6 oz.",
            Decimal("120000"), "VND", "#9ca3af", "phin"),
    Product("tea-club", "Tea Club membership", "A new tea every month. Billed monthly; cancel any time.",
            Decimal("12.00"), "USD", "#b45309", "club", kind="subscription"),
]}

_SHAPES = {
    "cup": '<path d="M30 40h60v18a30 30 0 0 1-60 0z" fill="{c}"/><path d="M90 46h6a9 9 0 0 1 0 18h-7" '
           'stroke="{c}" stroke-width="5" fill="none"/><ellipse cx="60" cy="96" rx="34" ry="5" fill="#00000018"/>',
    "teapot": '<ellipse cx="60" cy="64" rx="32" ry="24" fill="{c}"/><rect x="50" y="32" width="20" height="10" '
              'rx="4" fill="{c}"/><path d="M92 60l18-12" stroke="{c}" stroke-width="7" stroke-linecap="round"/>'
              '<path d="M28 58l-14-6" stroke="{c}" stroke-width="9" stroke-linecap="round"/>',
    "vase": '<path d="M48 22h24l-4 16c18 10 20 40 6 60H46c-14-20-12-50 6-60z" fill="{c}"/>',
    "whisk": '<rect x="55" y="14" width="10" height="40" rx="4" fill="#c8a165"/><path d="M40 100c0-30 8-46 20-46'
             's20 16 20 46z" fill="{c}"/>',
    "kettle": '<path d="M34 50h52l6 46H28z" fill="{c}"/><path d="M86 60c20-6 22-22 26-30" stroke="{c}" '
              'stroke-width="5" fill="none"/><rect x="48" y="38" width="24" height="12" rx="5" fill="{c}"/>',
    "beans": '<ellipse cx="44" cy="60" rx="16" ry="24" fill="{c}"/><ellipse cx="76" cy="60" rx="16" ry="24" '
             'fill="{c}"/><path d="M44 38c-6 14 6 30 0 44M76 38c-6 14 6 30 0 44" stroke="#00000040" '
             'stroke-width="3" fill="none"/>',
    "phin": '<rect x="36" y="30" width="48" height="40" rx="4" fill="{c}"/><rect x="28" y="70" width="64" '
            'height="8" rx="3" fill="{c}"/><rect x="40" y="82" width="40" height="18" rx="3" fill="#7c4a2d"/>',
    "club": '<rect x="24" y="30" width="72" height="60" rx="8" fill="{c}"/><path d="M24 48h72" stroke="#fff" '
            'stroke-width="4"/><circle cx="60" cy="72" r="10" fill="#fff"/>',
}


def product_svg(product: Product) -> str:
    """A 120×120 picture of ``product`` on a soft background."""
    shape = _SHAPES[product.shape].format(c=escape(product.colour))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 120" role="img" '
        f'aria-label="{escape(product.name)}"><rect width="120" height="120" rx="14" fill="#f4f1ea"/>'
        f"{shape}</svg>"
    )
