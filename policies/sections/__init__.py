"""Typed sections of a policy profile, one module per area of the regulations."""
