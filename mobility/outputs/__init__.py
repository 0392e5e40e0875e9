"""Everything the main job writes, in one shape: one view, one module per output, one publisher.

How a run flows (:func:`mobility.run.run` is the pipeline): load the inputs, evaluate them,
prepare the view once, let every output render the view into a staging folder, publish.

- :mod:`~mobility.outputs.view`: the one prepared view of a run's results (display rows per
  initiative, bundle and municipality), computed once per run;
- :mod:`~mobility.outputs.maps`: the interactive maps (folium), ``*.html``;
- :mod:`~mobility.outputs.tables`: the decision tables as CSV, Markdown and Excel, ``tables/``;
- :mod:`~mobility.outputs.paper`: the Word decision paper, ``decision-paper.docx``;
- :mod:`~mobility.outputs.charts`: static charts and maps (matplotlib), ``charts/``;
- :mod:`~mobility.outputs.index`: ``index.html``, linking everything;
- :mod:`~mobility.outputs.spreadsheet`: text that cannot become a formula (CSV and XLSX);
- :mod:`~mobility.outputs.publish`: atomic, locked publishing of the whole output folder.

Each output module has ``render(view, stage, ...)`` returning the index entries of the files it
wrote; its builder functions (``catalogue_map``, ``star_table``, ...) stay usable on their own.
``mobility.maps``, ``mobility.tables`` and ``mobility.charts`` re-export the public names for
older code. Text from data reaches no template engine, formula or shell: maps render rendered
macro output as literal text (see ``maps._Literal``), charts draw text without mathtext, and
spreadsheet text is typed as text.
"""
