"""The section the city-wide build puts at the top of a package's about page (overview.html).

It names the ward or commune and gives its support point (điểm hỗ trợ) as the support-points
file states it. Nothing is made up: a detail the file does not give is not shown, and a unit
with no details at all is told to ask at its People's Committee (Ủy ban nhân dân), which every
resident can find. Every value is HTML-escaped, since the file comes from outside the project.
"""

from html import escape

from dps_xblocks.olx.citywide_units import SupportPoint, Unit

# Support-point field -> its label on the page, in the order the page lists them.
DETAIL_LABELS = (
    ("address", "Địa chỉ"),
    ("phone", "Điện thoại"),
    ("opening_hours", "Giờ hỗ trợ"),
    ("contact_role", "Người hướng dẫn"),
)


def ask_committee_sentence(unit: Unit) -> str:
    """The sentence for a unit whose support point is not known (plain text, not escaped)."""
    return (
        f"Chưa có thông tin về điểm hỗ trợ của {unit.in_sentence}. Hãy hỏi tại {unit.committee} "
        f"để biết nơi và giờ được hướng dẫn trực tiếp."
    )


def unit_section(unit: Unit, point: SupportPoint | None) -> str:
    """The about-page section for a package made for one unit."""
    in_sentence = escape(unit.in_sentence)
    lines = [
        '<section class="local-support" lang="vi">',
        f"  <h2>{escape(unit.name_vi)}</h2>",
        f"  <p>Bản khóa học này dành cho người dân {in_sentence}.</p>",
    ]
    if point is None or point.is_empty():
        lines.append(f"  <p>{escape(ask_committee_sentence(unit))}</p>")
    else:
        lines.append(
            f"  <p>Bạn có thể đến điểm hỗ trợ của {in_sentence} để được hướng dẫn trực tiếp.</p>"
        )
        lines.extend(_detail_list(point, indent="  "))
        if not all(getattr(point, field) for field, _ in DETAIL_LABELS):
            lines.append(f"  <p>Muốn biết thêm, hãy hỏi tại {escape(unit.committee)}.</p>")
    lines.append("</section>")
    return "\n".join(lines) + "\n"


def city_section(units: list[Unit], points: dict[str, SupportPoint]) -> str:
    """The about-page section for the shared course run, one cohort per unit."""
    lines = [
        '<section class="local-support" lang="vi">',
        "  <h2>Khóa học dành cho người dân Hà Nội</h2>",
        f"  <p>Khóa học mở cho người dân {len(units)} phường, xã. Mỗi phường, xã là một nhóm "
        f"học riêng.</p>",
    ]
    known = [unit for unit in units if unit.code in points]
    if known:
        lines.append("  <h3>Điểm hỗ trợ trực tiếp</h3>")
        lines.append("  <ul>")
        for unit in known:
            lines.append(f"    <li>{escape(unit.name_vi)}")
            lines.extend(_detail_list(points[unit.code], indent="      "))
            lines.append("    </li>")
        lines.append("  </ul>")
    lines.append(
        "  <p>Nếu phường, xã của bạn chưa có điểm hỗ trợ ở đây, hãy hỏi tại Ủy ban nhân dân "
        "phường, xã nơi bạn sống.</p>"
    )
    lines.append("</section>")
    return "\n".join(lines) + "\n"


def _detail_list(point: SupportPoint, indent: str) -> list[str]:
    """The known details of a support point as a description list."""
    lines = [f"{indent}<dl>"]
    for field, label in DETAIL_LABELS:
        value = getattr(point, field)
        if value:
            lines.append(f"{indent}  <dt>{label}</dt><dd>{escape(value)}</dd>")
    lines.append(f"{indent}</dl>")
    return lines
