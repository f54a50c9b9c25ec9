"""Django settings of the block benchmark's page server: the preview's, with two changes.

- Responses are gzipped, as a real LMS front end (nginx, Caddy) sends them, so that the bytes on
  the throttled link are the ones a learner would download.
- The URLs add the bare page (`bench_blocks_site`), which the preview does not have.

The preview's settings read the state folder from the environment when imported; the server
sets it before Django starts.
"""

from dps_xblocks.preview.settings import *  # noqa: F403
from dps_xblocks.preview.settings import MIDDLEWARE as PREVIEW_MIDDLEWARE

ROOT_URLCONF = "bench_blocks_site"
MIDDLEWARE = ["django.middleware.gzip.GZipMiddleware", *PREVIEW_MIDDLEWARE]
