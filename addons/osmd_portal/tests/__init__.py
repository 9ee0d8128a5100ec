from . import test_cabinet
