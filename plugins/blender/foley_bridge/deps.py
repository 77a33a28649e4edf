"""The thin client and the sequencer<->OTIO code: bundled copies in an installed extension, the
repository's own packages in a development checkout (tests put plugins/common and otio_adapters on sys.path)."""

try:  # an installed extension: build.py copied them into vendor/
    from .vendor.foley_client import BackgroundJob, FoleyClient, FoleyClientError, drain  # noqa: F401
    from .vendor.foley_otio import blender_vse  # noqa: F401
except ImportError:  # a development checkout
    from foley_client import BackgroundJob, FoleyClient, FoleyClientError, drain  # noqa: F401
    from foley_otio import blender_vse  # noqa: F401
