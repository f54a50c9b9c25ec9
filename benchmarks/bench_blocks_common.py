"""What the block benchmark measures, shared by its runner and its page server.

The two blocks are written as OLX, exactly as a course would hold them: our e-ID practice as it
stands in the bundled course, and Drag-and-Drop v2 with its default configuration.
"""

from pathlib import Path

from lxml import etree

PROJECT = Path(__file__).resolve().parent.parent
OUR_UNIT_FILE = PROJECT / "courses_olx" / "dps_hanoi_vi" / "vertical" / "eid_practice_unit.xml"

DND_DISTRIBUTION = "xblock-drag-and-drop-v2"
DND_VERSION = "5.1.2"
DND_XML = '<drag-and-drop-v2 url_name="dnd"/>'

# Units of the benchmark's course, by url_name. The bare page shows the "bare" unit: the same
# page shell and the runtime's shared scripts, and no block.
BARE_UNIT = "bench_bare"
OUR_UNIT = "bench_ours"
DND_UNIT = "bench_dnd"


def our_block_xml() -> str:
    """The `<dps_practice>` element of the bundled e-ID practice unit, serialised."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    vertical = etree.parse(str(OUR_UNIT_FILE), parser).getroot()
    block = vertical.find("dps_practice")
    if block is None:
        raise SystemExit(f"{OUR_UNIT_FILE} holds no <dps_practice> element")
    return etree.tostring(block, encoding="unicode", with_tail=False)


def url_name_of(xml: str) -> str:
    """The `url_name` attribute of a block's OLX element."""
    return etree.fromstring(xml).get("url_name")
