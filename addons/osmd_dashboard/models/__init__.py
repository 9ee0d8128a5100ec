from . import osmd_dashboard
