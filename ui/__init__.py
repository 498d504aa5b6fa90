"""Streamlit views (one module per panel) and pure chart builders."""
