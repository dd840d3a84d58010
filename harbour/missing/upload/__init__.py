"""Police CSV extracts: read with the force's saved column mapping, previewed with every
problem named, then recorded all together or not at all.

    files.receive(actor, force, content) -> PoliceUpload          (held for the preview)
    mappings.save_mapping(actor, force, columns=..., version=...)  (audited)
    preview.build_preview(upload, user) -> Preview                 (parse, check, match)
    commit.commit(actor, upload, choices=..., sexes=..., ...)      (one transaction)
    files.purge_expired()                                          (held files past 24 hours)

What is where, each module importing only those before it:

    files.py     reading the uploaded file: its size, its encoding (UTF-8 or Windows-1252),
                 its CSV rows, the characters no cell may hold; holding it, discarding it,
                 deleting it after UPLOAD_HOURS
    mappings.py  each force's column mapping: the fields, the values meaning each category
                 and risk grade, the date and time formats offered with their examples
    rows.py      a CSV row read into a Row with its values parsed and every Problem named
                 by row and column
    preview.py   the Preview: repeats and references already recorded flagged, children
                 matched (same person id, or likely by name and date of birth), each
                 candidate's open episode that recording would merge into
    commit.py    recording the chosen rows through missing.services in one transaction,
                 audited, or nothing
    forms.py     the upload, mapping and preview forms
    views.py     the pages (thin: the modules above read, check, match and write)

The models (PoliceForce, ColumnMapping, PoliceUpload) stay in harbour/missing/models.py.
"""
