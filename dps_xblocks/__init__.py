"""Practice copies of Hà Nội's digital public services, as Open edX XBlocks."""

__version__ = "0.1.0"
