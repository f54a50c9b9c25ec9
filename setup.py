"""Packaging for dps-xblocks: practice copies of Hà Nội's digital public services for Open edX."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent

# Files the LMS needs at run time besides Python modules: the block's front end, the scenario
# schema and the compiled translation catalogues.
PACKAGE_DATA = [
    "static/css/*.css",
    "static/js/*.js",
    "static/js/translations/*.js",
    "static/images/*.svg",
    "scenarios/*.xml",
    "engine/schema/*.rng",
    "translations/*/LC_MESSAGES/*.mo",
    "preview/templates/dps_preview/*.html",
    "preview/static/dps_preview/*",
    "olx/data/*",
]

setup(
    name="dps-xblocks",
    version="0.1.0",
    description="Practice copies of Hà Nội's digital public services, as Open edX XBlocks",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="AGPL-3.0",
    python_requires=">=3.11",
    packages=find_packages(include=["dps_xblocks", "dps_xblocks.*"]),
    package_data={"dps_xblocks": PACKAGE_DATA},
    install_requires=[
        "XBlock>=5.3,<7",
        "lxml>=5.0",
    ],
    extras_require={
        # The local preview runs the course in the XBlock SDK's runtime; `fs`, which XBlock
        # pulls in, still imports pkg_resources, gone from setuptools 81.
        # `lazy` is what XBlock's Django helpers import; the SDK does not declare it.
        "preview": ["xblock-sdk>=0.14,<0.16", "Django>=5.2,<5.3", "setuptools<81", "lazy"],
        "olx": ["olxcleaner>=0.3,<0.4"],
        "test": [
            "xblock-sdk>=0.14,<0.16",
            "Django>=5.2,<5.3",
            # The packaging test builds the wheel with these, without build isolation.
            "setuptools>=68,<81",
            "wheel",
            "lazy",
            "olxcleaner>=0.3,<0.4",
            "pytest>=8",
            "hypothesis>=6.100",
            "playwright>=1.50",
            "axe-playwright-python>=0.1.4",
            "ruff>=0.6",
        ],
    },
    entry_points={
        "xblock.v1": [
            "dps_practice = dps_xblocks.practice:PracticeBlock",
        ],
        "console_scripts": [
            "dps-olx = dps_xblocks.olx.cli:main",
            "dps-preview = dps_xblocks.preview.cli:main",
        ],
    },
    classifiers=[
        "Framework :: Django",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Natural Language :: Vietnamese",
    ],
)
