from . import osmd_act_register
