"""Official data: the DfE's published tables for every English council, shipped
with the package (``published/``, with their licence) or read from a newer
release, and a council's census as a tidy table.

This layer is the bottom of the package: it imports nothing else of it.
"""

from workforce_sim.data.councils import SERIES, census, neighbours, series
from workforce_sim.data.tables import SUPPRESSION, DataError, read_rows

__all__ = ["SERIES", "SUPPRESSION", "DataError", "census", "neighbours", "read_rows", "series"]
