"""Demo steps of the credentials app (discovered by ``seed_demo``): verifiable credentials and
PDFs for the demo's certified and partially certified learners."""

from capitalis.credentials import demo_credentials, demo_documents  # noqa: F401  (registers steps)
