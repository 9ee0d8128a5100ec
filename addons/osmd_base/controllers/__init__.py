from . import registry_template
