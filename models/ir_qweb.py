from lxml import etree

from odoo import models


class IrQweb(models.AbstractModel):
    _inherit = "ir.qweb"

    def _compile(self, template):
        """Compile each inline template once per batch of mails.

        Core caches the compiled code of stored views, but compiles an inline
        template (an etree element, as a mail template's body is rendered)
        again for every record: sending 1,000 invitations compiled the same
        body 1,000 times. Within a batch that asks for it (context key
        ``portal_access_qweb_batch_cache``, a dict living as long as the
        batch), the compiled code is reused for the same source and the same
        compilation context, as core does for views.
        """
        cache = self.env.context.get("portal_access_qweb_batch_cache")
        if cache is None or not isinstance(template, etree._Element):
            return super()._compile(template)
        key = (
            etree.tostring(template),
            tuple(
                self.env.context.get(key) or False
                for key in self._get_template_cache_keys()
            ),
            self.env.context.get("raise_on_forbidden_code_for_model") or False,
        )
        if key not in cache:
            cache[key] = super()._compile(template)
        return cache[key]
