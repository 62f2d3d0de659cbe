"""Tests of the model against closed forms (queueing, renewal and stock-flow theory)."""
