import os as _os

# pydantic looks for its plugins in the entry points of every installed distribution when it builds
# the first model (importlib.metadata, then a scan of each one's metadata): about 0.1 s of every
# command that loads a catalog, measured with py-spy on a cold `reconcile plan`, for plugins
# reconcile never uses. The command line is an application, so it turns that search off unless the
# user says otherwise (PYDANTIC_DISABLE_PLUGINS="" searches again, as pydantic documents); code that
# imports reconciler as a library is not touched.
_os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
