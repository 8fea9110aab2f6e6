"""Every write on the référentiel: one transaction, an audit record.

Sections: shipped data loading (``referential_data_load``) and the national register's
import (``register_import``). Edit by section; keep each service keyword-only and typed.
"""

from __future__ import annotations
