"""Everything the main job writes: maps, tables, the Word paper, charts and ``index.html``.

Modules (each renders the one prepared view of a run, :mod:`mobility.outputs.view`):

- :mod:`~mobility.outputs.spreadsheet`: text that cannot become a formula (CSV and XLSX);
- :mod:`~mobility.outputs.publish`: the atomic, locked publishing of a whole output folder.

The package is imported lazily: importing it loads no plotting or mapping library.
"""
