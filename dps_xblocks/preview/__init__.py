"""The local preview: serve an OLX course on 127.0.0.1 with the XBlock SDK's real runtime.

`course` reads the OLX into plain data, `blocks` loads the installed XBlocks into the
workbench runtime and renders them, `views`/`urls`/`settings` are the Django site, and `cli` is
the `dps-preview` command. Only `course` works without Django.
"""
