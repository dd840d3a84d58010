"""The returns a council must make from the register, and the data it already holds in
them: the DfE's SSDA903 (children looked after: header, episodes, missing) in and out, its
missing rules as live checks and its national statistics for this authority; Ofsted's
ILACS Annex A (List 8) (issue 14; docs/returns.md)."""
