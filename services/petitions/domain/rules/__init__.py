"""Regulation figures of the petitions service as data, each row naming its source and confidence tag."""
