from . import test_install
from . import test_demo
from . import test_res_users
from . import test_portal_security_totp
from . import test_portal_security_tour
