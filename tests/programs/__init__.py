"""Whole torch programs (teaching code, sequence models, attention), each written once as a
function of a namespace ``lib`` (see ``namespace.py``) so the same lines run on chainrule
(tests/test_torch_programs.py) and, once, on torch (the scratch script that recorded
``*_values.json``)."""
