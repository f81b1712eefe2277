from . import test_install
from . import test_demo
from . import test_res_users
from . import test_login_change
from . import test_login_change_request
from . import test_portal_details
from . import test_portal_addresses
from . import test_portal_payment
