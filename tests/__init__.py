from . import test_install
from . import test_demo
from . import test_res_users
from . import test_portal_wizard
from . import test_partner_access_state
from . import test_portal_wizard_performance
from . import test_portal_wizard_http
