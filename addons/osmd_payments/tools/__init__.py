"""osmd_payments tools: statement and registry parsers, purpose matching (pure Python, no odoo.models)."""
