"""The staff pages, one module per screen."""
