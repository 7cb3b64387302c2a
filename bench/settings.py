"""The portal's settings with the bench's URLs (bench/urls.py), for the server the wire figure
starts: everything else is what production reads from the same environment variables."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
