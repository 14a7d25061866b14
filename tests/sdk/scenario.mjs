// One pass over every function of Wix's SDK packages, against the emulator, through a Recorder.
//
// Each step calls an SDK function exactly as an app would (the SDK builds the request); the
// Recorder keeps what the SDK returned, or the error it threw, for conformance.mjs to judge.
// Steps use only what earlier steps returned (ids, revisions), so the pass works on any site
// that has the Menus (New) and Catalogs v3 apps and one location with a v3 catalog.

const GUID_UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** Menus (New): the seven services, every function, plus the errors a client must be able to read. */
export async function menusNew(r, locationId) {
  // --- labels, variants, modifiers, modifier groups (what items reference) -------------------
  const label = await r.ok('labels', 'createLabel', { name: 'Vegan', icon: 'https://static.wixstatic.com/media/leaf.png' });
  const label2 = await r.ok('labels', 'createLabel', { name: 'Spicy' });
  await r.ok('labels', 'getLabel', label._id);
  await r.ok('labels', 'listLabels');
  await r.ok('labels', 'countLabels', { filter: { name: { $eq: 'Vegan' } } });
  await r.query('labels', 'queryLabels', { filter: { _id: { $in: [label._id] } }, cursorPaging: { limit: 10 } });
  await r.ok('labels', 'updateLabel', label._id, { revision: label.revision, name: 'Plant-based' });

  const small = await r.ok('variants', 'createVariant', { name: 'Small' });
  const bulkVariants = await r.ok('variants', 'bulkCreateVariants', [{ name: 'Large' }, { name: 'Family' }], { returnEntity: true });
  const [large, family] = bulkVariants.results.map((result) => result.variant);
  await r.ok('variants', 'getVariant', small._id);
  await r.ok('variants', 'listVariants', { variantIds: [small._id, large._id], paging: { limit: 10 } });
  await r.ok('variants', 'countVariants', { filter: { name: { $in: ['Small', 'Large'] } } });
  await r.query('variants', 'queryVariants', { filter: { _id: { $ne: small._id } }, cursorPaging: { limit: 2 } });
  const smallV2 = await r.ok('variants', 'updateVariant', small._id, { revision: small.revision, name: 'Regular' });
  await r.ok('variants', 'bulkUpdateVariants', [{ variant: { _id: large._id, revision: large.revision, name: 'Big' } }], { returnEntity: true });

  const cheese = await r.ok('modifiers', 'createModifier', { name: 'Extra cheese', inStock: true });
  const bulkModifiers = await r.ok('modifiers', 'bulkCreateModifiers', [{ name: 'Olives' }, { name: 'Basil', inStock: false }], { returnEntity: true });
  const [olives, basil] = bulkModifiers.results.map((result) => result.modifier);
  await r.ok('modifiers', 'getModifier', cheese._id);
  await r.ok('modifiers', 'listModifiers', { modifierIds: [cheese._id], paging: { limit: 5 } });
  await r.ok('modifiers', 'countModifiers', { filter: { name: { $nin: ['Olives'] } } });
  await r.query('modifiers', 'queryModifiers', { filter: { name: { $eq: 'Olives' } } });
  await r.ok('modifiers', 'updateModifier', cheese._id, { revision: cheese.revision, inStock: false });
  await r.ok('modifiers', 'bulkUpdateModifiers', [{ modifier: { _id: olives._id, revision: olives.revision, name: 'Black olives' }, mask: ['name'] }], { returnEntity: true });

  const toppings = await r.ok('modifierGroups', 'createModifierGroup', {
    name: 'Toppings',
    modifiers: [
      { _id: cheese._id, preSelected: false, additionalChargeInfo: { additionalCharge: '1.50' } },
      { _id: olives._id, preSelected: true },
    ],
    rule: { required: false, minSelections: 0, maxSelections: 2 },
  });
  const bulkGroups = await r.ok('modifierGroups', 'bulkCreateModifierGroups', [{ name: 'Herbs', modifiers: [{ _id: basil._id }], rule: { required: true, minSelections: 1 } }], { returnEntity: true });
  const herbs = bulkGroups.results[0].modifierGroup;
  await r.ok('modifierGroups', 'getModifierGroup', toppings._id);
  await r.ok('modifierGroups', 'listModifierGroups', { modifierGroupIds: [toppings._id, herbs._id] });
  await r.ok('modifierGroups', 'countModifierGroups', {});
  await r.query('modifierGroups', 'queryModifierGroups', { filter: { 'modifiers._id': { $hasSome: [cheese._id] } } });
  await r.ok('modifierGroups', 'updateModifierGroup', toppings._id, { revision: toppings.revision, name: 'Pizza toppings' });
  await r.ok('modifierGroups', 'bulkUpdateModifierGroups', [{ modifierGroup: { _id: herbs._id, revision: herbs.revision, name: 'Fresh herbs' }, mask: ['name'] }], { returnEntity: true });

  // --- items ----------------------------------------------------------------------------------
  const margherita = await r.ok('items', 'createItem', {
    name: 'Margherita',
    description: 'Tomato, mozzarella, basil',
    image: 'wix:image://v1/11062b_pizza~mv2.jpg/pizza.jpg#originWidth=800&originHeight=600',
    labels: [{ _id: label._id }],
    modifierGroups: [{ _id: toppings._id }],
    priceVariants: { variants: [{ variantId: smallV2._id, priceInfo: { price: '9.50' } }, { variantId: large._id, priceInfo: { price: '13' } }] },
    orderSettings: { inStock: true, acceptSpecialRequests: false },
    featured: true,
  });
  const bulkItems = await r.ok('items', 'bulkCreateItems', [
    { name: 'Marinara', priceInfo: { price: '8.00' }, labels: [{ _id: label2._id }] },
    { name: 'Tiramisu', priceInfo: { price: '6.5' }, visible: false },
  ], { returnEntity: true });
  const [marinara, tiramisu] = bulkItems.results.map((result) => result.item);
  await r.ok('items', 'getItem', margherita._id);
  await r.ok('items', 'listItems', { itemIds: [margherita._id, marinara._id], paging: { limit: 10 }, onlyVisible: true });
  await r.ok('items', 'countItems', { filter: { visible: { $eq: true } } });
  await r.query('items', 'queryItems', { filter: { 'labels._id': { $hasSome: [label._id] } }, sort: [{ fieldName: 'name', order: 'DESC' }] });
  await r.ok('items', 'searchItems', { search: { expression: 'pizza tomato', fields: ['name', 'description'], mode: 'OR' }, cursorPaging: { limit: 5 } });
  const margheritaV2 = await r.ok('items', 'updateItem', margherita._id, { revision: margherita.revision, description: 'San Marzano tomato, fior di latte', featured: false, priceVariants: margherita.priceVariants });
  await r.ok('items', 'bulkUpdateItem', [{ item: { _id: marinara._id, revision: marinara.revision, priceInfo: { price: '8.50' } }, mask: ['priceInfo'] }], { returnEntity: true });
  const copies = await r.ok('items', 'duplicateItem', tiramisu._id, {});

  // --- sections and menus -----------------------------------------------------------------------
  const pizzas = await r.ok('sections', 'createSection', {
    name: 'Pizzas',
    description: 'From the wood oven',
    itemIds: [margherita._id, marinara._id],
    image: 'https://static.wixstatic.com/media/oven.jpg',
  });
  const bulkSections = await r.ok('sections', 'bulkCreateSections', [{ name: 'Desserts', itemIds: [tiramisu._id] }, { name: 'Drinks' }], { returnEntity: true });
  const [desserts, drinks] = bulkSections.results.map((result) => result.item);
  await r.ok('sections', 'getSection', pizzas._id);
  await r.ok('sections', 'listSections', { sectionIds: [pizzas._id, desserts._id], onlyVisible: false });
  await r.query('sections', 'querySections', { filter: { name: { $in: ['Pizzas', 'Desserts'] } } });
  await r.ok('sections', 'updateSection', pizzas._id, { revision: pizzas.revision, visible: true, additionalImages: ['wix:image://v1/11062b_crust~mv2.jpg/crust.jpg#originWidth=640&originHeight=480'] });
  await r.ok('sections', 'bulkUpdateSection', [{ section: { _id: desserts._id, revision: desserts.revision, description: 'Sweet' }, mask: ['description'] }], { returnEntity: true });
  const sectionCopies = await r.ok('sections', 'duplicateSection', drinks._id, {});

  const dinner = await r.ok('menus', 'createMenu', {
    name: 'Dinner',
    description: 'Evenings',
    sectionIds: [pizzas._id, desserts._id],
    urlQueryParam: 'dinner',
    businessLocationId: locationId,
    seoData: { tags: [{ type: 'title', children: 'Dinner at the pizzeria' }, { type: 'meta', props: { name: 'description', content: 'Pizza' } }], settings: { keywords: [{ term: 'pizza', isMain: true }] } },
  });
  const bulkMenus = await r.ok('menus', 'bulkCreateMenus', [{ name: 'Lunch', sectionIds: [pizzas._id] }, { name: 'Late night', visible: false }], { returnEntity: true });
  const [lunch, lateNight] = bulkMenus.results.map((result) => result.menu);
  await r.ok('menus', 'getMenu', dinner._id);
  await r.ok('menus', 'listMenus', { menuIds: [dinner._id, lunch._id], onlyVisible: false, paging: { limit: 10 } });
  await r.query('menus', 'queryMenus', { filter: { visible: { $eq: true } }, sort: [{ fieldName: 'name', order: 'ASC' }] });
  const dinnerV2 = await r.ok('menus', 'updateMenu', dinner._id, { revision: dinner.revision, description: 'Evenings from six', seoData: { settings: { preventAutoRedirect: true } } });
  await r.ok('menus', 'bulkUpdateMenu', [{ menu: { _id: lunch._id, revision: lunch.revision, name: 'Lunch specials' }, mask: ['name'] }], { returnEntity: true });
  await r.ok('menus', 'updateExtendedFields', dinner._id, '@reconcile/sync', { namespaceData: { posId: 'SQ-1' } });
  await r.ok('menus', 'duplicateMenu', lateNight._id, { duplicateSubEntities: false });
  await r.ok('menus', 'getMenuSiteUrl', dinner._id);
  await r.ok('menus', 'queryMenusSiteUrl', { query: { filter: { _id: { $in: [dinner._id] } } } });

  // --- errors every client reads: 404, 409 stale revision, 400 validation, 428 --------------------
  await r.fails('menus', 'getMenu', 404, GUID_UNKNOWN);
  await r.fails('menus', 'updateMenu', 409, dinner._id, { revision: dinner.revision, name: 'Stale' });
  await r.fails('items', 'createItem', 400, { name: '', priceInfo: { price: '1' } });
  await r.fails('items', 'createItem', 428, { name: 'No price' });
  await r.fails('sections', 'createSection', 400, { name: 'Dangling', itemIds: [GUID_UNKNOWN] });

  // --- deletes, last ----------------------------------------------------------------------------------
  await r.ok('menus', 'deleteMenu', lateNight._id);
  await r.ok('sections', 'deleteSection', sectionCopies.sectionId?.[0] ?? drinks._id);
  await r.ok('sections', 'bulkDeleteSections', [drinks._id]);
  await r.ok('items', 'deleteItem', copies.itemId?.[0] ?? tiramisu._id);
  await r.ok('items', 'bulkDeleteItems', [tiramisu._id]);
  await r.ok('variants', 'deleteVariant', family._id);
  await r.ok('variants', 'bulkDeleteVariants', [large._id]);
  await r.ok('modifiers', 'deleteModifier', basil._id);
  await r.ok('modifiers', 'bulkDeleteModifiers', [olives._id]);
  await r.ok('modifierGroups', 'deleteModifierGroup', herbs._id);
  await r.ok('modifierGroups', 'bulkDeleteModifierGroups', [toppings._id]);
  await r.ok('labels', 'deleteLabel', label2._id);
  await r.ok('labels', 'bulkDeleteLabels', [label._id]);
  return { dinner: dinnerV2, margherita: margheritaV2 };
}

/** Online Orders: a menu's ordering settings and the operation's availability exceptions. */
export async function onlineOrders(r, menuId) {
  const weekly = { type: 'WEEKLY_SCHEDULE', weeklyScheduleOptions: { availableTimes: [{ dayOfWeek: 'MON', timeRanges: [{ startTime: { hours: 11, minutes: 0 }, endTime: { hours: 15, minutes: 0 } }] }] } };
  const upserted = await r.ok('orderingSettings', 'upsertMenuOrderingSettingsByMenuId', menuId, { onlineOrderingEnabled: true, availability: weekly });
  const settings = upserted.menuOrderingSettings;
  await r.ok('orderingSettings', 'getMenuOrderingSettings', settings._id);
  const settingsV2 = await r.ok('orderingSettings', 'updateMenuOrderingSettings', settings._id, { revision: settings.revision, onlineOrderingEnabled: false });
  await r.ok('orderingSettings', 'bulkUpdateMenuOrderingSettings', [{ menuOrderingSettings: { _id: settings._id, revision: settingsV2.revision, onlineOrderingEnabled: true }, mask: ['onlineOrderingEnabled'] }], { returnEntity: true });
  await r.query('orderingSettings', 'queryMenuOrderingSettings', { filter: { menuId: { $eq: menuId } } });
  await r.ok('orderingSettings', 'listMenusAvailabilityStatus', { startTime: new Date('2026-12-07T12:00:00Z'), endTime: new Date('2026-12-07T12:30:00Z') }, { operationId: settings.operationId });
  await r.fails('orderingSettings', 'getMenuOrderingSettings', 404, GUID_UNKNOWN);
  await r.fails('orderingSettings', 'updateMenuOrderingSettings', 409, settings._id, { revision: settings.revision, onlineOrderingEnabled: true });

  const period = { startTime: new Date('2026-12-25T00:00:00Z'), endTime: new Date('2026-12-26T00:00:00Z'), available: false, operationId: settings.operationId, affectedFulfillmentMethods: { affectedMethods: 'ALL_FULFILLMENT_METHODS' } };
  const christmas = await r.ok('availabilityExceptions', 'createAvailabilityException', { ...period, name: 'Christmas' });
  await r.ok('availabilityExceptions', 'getAvailabilityException', christmas._id);
  const renamed = await r.ok('availabilityExceptions', 'updateAvailabilityException', christmas._id, { revision: christmas.revision, name: 'Christmas Day' });
  const bulk = await r.ok('availabilityExceptions', 'bulkCreateAvailabilityExceptions', [{ ...period, name: 'Boxing Day', startTime: new Date('2026-12-26T00:00:00Z'), endTime: new Date('2026-12-27T00:00:00Z') }], { returnEntity: true });
  const boxing = bulk.results[0].availabilityException;
  await r.ok('availabilityExceptions', 'bulkUpdateAvailabilityExceptions', [{ availabilityException: { _id: boxing._id, revision: boxing.revision, name: 'St Stephen' }, mask: ['name'] }], { returnEntity: true });
  await r.query('availabilityExceptions', 'queryAvailabilityExceptions', { filter: { operationId: { $eq: settings.operationId } }, sort: [{ fieldName: 'startTime', order: 'ASC' }] });
  await r.fails('availabilityExceptions', 'createAvailabilityException', 400, { ...period, endTime: new Date('2026-12-24T00:00:00Z') });
  await r.fails('availabilityExceptions', 'updateAvailabilityException', 409, christmas._id, { revision: christmas.revision, name: 'Stale' });
  await r.ok('availabilityExceptions', 'deleteAvailabilityException', renamed._id);
  await r.ok('availabilityExceptions', 'deleteAvailabilityException', boxing._id);
}

/** Catalogs v3 (legacy): listCatalogs, the draft cycle, every bulk call, every live single call. */
export async function catalogsV3(r, locationId) {
  const { catalogs } = await r.ok('catalogs', 'listCatalogs', { locationIds: [locationId], paging: { limit: 10 } });
  const catalogId = catalogs[0]._id;
  await r.ok('catalogs', 'createDraftCatalog', catalogId);
  const variations = await r.ok('catalogs', 'bulkCreateVariations', catalogId, { variations: [{ name: 'Small' }, { name: 'Large' }], returnFullEntity: true });
  const [smallId, largeId] = variations.results.map((result) => result.entityMetadata._id);
  const createdMenus = await r.ok('catalogs', 'bulkCreateMenus', catalogId, { menus: [{ name: 'Dinner', description: 'Evenings' }, { name: 'Brunch' }], returnFullEntity: true });
  const [dinnerId, brunchId] = createdMenus.results.map((result) => result.entityMetadata._id);
  const createdSections = await r.ok('catalogs', 'bulkCreateSections', catalogId, { createSectionRequests: [{ menuId: dinnerId, section: { name: 'Pizzas' } }], returnFullEntity: true });
  const sectionId = createdSections.results[0].entityMetadata._id;
  const dishes = await r.ok('catalogs', 'bulkCreateDishes', catalogId, {
    createDishRequests: [
      {
        menuId: dinnerId,
        sectionId,
        dish: {
          name: 'Margherita',
          price: { value: '9.50' },
          taxRate: '8.875',
          labels: { values: ['Vegetarian'] },
          dishOptions: { values: [{ name: 'Size', selection: { availableChoices: [{ itemId: smallId, price: { value: '0' } }, { itemId: largeId, price: { value: '3.50' } }], defaultChoice: smallId } }] },
        },
      },
    ],
    returnFullEntity: true,
  });
  const dishId = dishes.results[0].entityMetadata._id;
  await r.ok('catalogs', 'bulkUpdateItems', catalogId, { items: [{ _id: dishId, description: 'Tomato and basil' }], returnFullEntity: true });
  await r.ok('catalogs', 'bulkUpdateMenus', catalogId, { menus: [{ _id: dinnerId, description: 'From six' }], returnFullEntity: true });
  await r.ok('catalogs', 'bulkUpdateSections', catalogId, { updateSectionsRequests: [{ menuId: dinnerId, section: { _id: sectionId, description: 'Wood oven' } }], returnFullEntity: true });
  await r.ok('catalogs', 'bulkArchiveMenus', catalogId, { ids: [brunchId], returnFullEntity: true });
  await r.ok('catalogs', 'bulkUnarchiveMenus', catalogId, { ids: [brunchId], returnFullEntity: true });
  await r.ok('catalogs', 'publishDraftCatalog', catalogId);
  await r.ok('catalogs', 'createDraftCatalog', catalogId);
  await r.ok('catalogs', 'discardDraftCatalog', catalogId);
  await r.fails('catalogs', 'publishDraftCatalog', 404, catalogId);

  await r.ok('catalogs', 'listMenus', catalogId, { archived: true });
  await r.ok('catalogs', 'getMenu', { catalogId, menuId: dinnerId });
  await r.ok('catalogs', 'listSections', catalogId, {});
  await r.ok('catalogs', 'getSection', { catalogId, menuId: dinnerId, sectionId });
  await r.ok('catalogs', 'listItems', catalogId, { fieldMask: ['name', 'price'] });
  await r.ok('catalogs', 'listItems', catalogId, {});
  await r.ok('catalogs', 'getItem', { catalogId, itemId: dishId }, { includeVisibilityCriteria: true });
  const lunch = await r.ok('catalogs', 'createMenu', catalogId, { name: 'Lunch' });
  await r.ok('catalogs', 'updateMenu', { catalogId, menuId: lunch.menu._id }, { menu: { name: 'Lunch specials' } });
  const starters = await r.ok('catalogs', 'createSection', { catalogId, menuId: lunch.menu._id }, { name: 'Starters' });
  await r.ok('catalogs', 'updateSection', { catalogId, menuId: lunch.menu._id, sectionId: starters.section._id }, { section: { name: 'Small plates' } });
  const bruschetta = await r.ok('catalogs', 'createDish', { catalogId, menuId: lunch.menu._id, sectionId: starters.section._id }, { name: 'Bruschetta', price: { value: '5' } });
  await r.ok('catalogs', 'updateItem', { catalogId, itemId: bruschetta.dish._id }, { item: { inStock: false } });
  await r.ok('catalogs', 'createVariation', catalogId, 'Half');
  await r.ok('catalogs', 'archiveMenu', { catalogId, menuId: lunch.menu._id });
  await r.ok('catalogs', 'unarchiveMenu', { catalogId, menuId: lunch.menu._id });
  await r.fails('catalogs', 'getMenu', 404, { catalogId, menuId: GUID_UNKNOWN });
  await r.fails('catalogs', 'listCatalogs', 400, { locationIds: ['not-a-guid'] });
  return { catalogId };
}

/** Media Manager: import a dish image by URL, generate an upload URL, upload bytes to it, read both files, one by one and together. */
export async function mediaFiles(r) {
  const imported = await r.ok('files', 'importFile', 'https://images.example.com/pizza/margherita.jpg', { mediaType: 'IMAGE', displayName: 'margherita.jpg' });
  await r.ok('files', 'getFileDescriptor', imported.file._id); // still PENDING (M1)
  await r.ok('files', 'getFileDescriptor', imported.file._id); // READY, with its media
  const { uploadUrl } = await r.ok('files', 'generateFileUploadUrl', 'image/png', { fileName: 'burger.png', sizeInBytes: '12' });
  // The upload itself is a plain PUT, as Wix documents it (no SDK function); its answer is a file descriptor.
  const put = await fetch(uploadUrl, { method: 'PUT', headers: { 'Content-Type': 'image/png' }, body: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]) });
  if (put.status !== 200) throw new Error(`upload answered ${put.status}`);
  const uploaded = (await put.json()).file;
  await r.ok('files', 'getFileDescriptor', uploaded.id);
  await r.ok('files', 'getFileDescriptor', uploaded.id);
  await r.fails('files', 'getFileDescriptor', 404, 'no-such-file~mv2.jpg');
  await r.ok('files', 'getFileDescriptors', [imported.file._id, uploaded.id]); // where a file came from (sourceUrl)
}
